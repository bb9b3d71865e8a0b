mode=client
. ./vchan-common.sh
