// The parts of ktest shared by the host and guest runners.
#include "ktest.h"

namespace petrel::ktest {
namespace {
Case* g_first = nullptr;
Case* g_last = nullptr;
}  // namespace

Case* first_case() {
  return g_first;
}

Registrar::Registrar(Case* c) {
  // Keep definition order, so runs are in file order.
  if (g_last == nullptr) {
    g_first = c;
  } else {
    g_last->next = c;
  }
  g_last = c;
}

void Log::note(const char* word) {
  if (len_ > 0 && len_ + 1 < sizeof buf_) buf_[len_++] = ' ';
  for (size_t i = 0; word[i] != '\0' && len_ + 1 < sizeof buf_; ++i) buf_[len_++] = word[i];
  buf_[len_] = '\0';
}

void Log::note_number(const char* word, uint64_t n) {
  char digits[24];
  size_t d = 0;
  do {
    digits[d++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n != 0);
  char text[64];
  size_t len = 0;
  for (size_t i = 0; word[i] != '\0' && len < 38; ++i) text[len++] = word[i];
  text[len++] = '=';
  while (d > 0) text[len++] = digits[--d];
  text[len] = '\0';
  note(text);
}

bool same(const char* a, const char* b) {
  size_t i = 0;
  for (; a[i] != '\0' && a[i] == b[i]; ++i) {
  }
  return a[i] == b[i];
}

}  // namespace petrel::ktest
