mode=server
. ./vchan-common.sh
