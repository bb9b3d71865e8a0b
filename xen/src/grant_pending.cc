#include "petrel/xen/grant_pending.h"

namespace petrel::xen {

bool PendingGrants::retire(const uint32_t* refs, unsigned n, void* block, EndFn end,
                           FreeFn free_block) {
  const unsigned first = count_;
  bool lost = false;
  for (unsigned i = 0; i < n; ++i) {
    if (end(refs[i])) continue;
    if (count_ < kCapacity)
      entries_[count_++] = Entry{refs[i], false, block};
    else
      lost = true;
  }
  if (lost) {
    // A grant we cannot retry may stay mapped for good: keep the block.
    for (unsigned i = first; i < count_; ++i) entries_[i].block = nullptr;
    return false;
  }
  if (count_ == first) free_block(block);
  return true;
}

void PendingGrants::retry(EndFn end, FreeFn free_block) {
  for (unsigned i = 0; i < count_; ++i) entries_[i].ended = end(entries_[i].ref);
  // A block goes back once none of its grants is still kept.
  for (unsigned i = 0; i < count_; ++i) {
    void* block = entries_[i].block;
    if (!entries_[i].ended || block == nullptr) continue;
    bool live = false;
    for (unsigned j = 0; j < count_ && !live; ++j)
      live = !entries_[j].ended && entries_[j].block == block;
    if (live) continue;
    free_block(block);
    for (unsigned j = i; j < count_; ++j)
      if (entries_[j].block == block) entries_[j].block = nullptr;  // freed once
  }
  unsigned kept = 0;
  for (unsigned i = 0; i < count_; ++i)
    if (!entries_[i].ended) entries_[kept++] = entries_[i];
  count_ = kept;
}

}  // namespace petrel::xen
