// Petrel's FreeRTOS-compatible API: stream and message buffers
// (stream_buffer.h, message_buffer.h) on petrel/kernel/stream_buffer.h. A
// handle of either kind is the kernel's StreamBuffer (a MessageBuffer is a
// StreamBuffer with its `message` flag set), so the stream calls also serve
// message buffers, as in FreeRTOS.
#include "petrel/kernel/stream_buffer.h"

#include "internal.h"
#include "message_buffer.h"
#include "stream_buffer.h"

static_assert(sizeof(petrel::kernel::StreamBuffer) <= sizeof(StaticStreamBuffer_t),
              "StaticStreamBuffer_t is too small for Petrel's StreamBuffer");
static_assert(sizeof(petrel::kernel::MessageBuffer) == sizeof(petrel::kernel::StreamBuffer));
static_assert(alignof(petrel::kernel::StreamBuffer) <= alignof(StaticStreamBuffer_t));
#ifdef configMESSAGE_BUFFER_LENGTH_TYPE
static_assert(sizeof(configMESSAGE_BUFFER_LENGTH_TYPE) == petrel::kernel::kMessageHeaderSize,
              "FreeRTOSConfig.h: Petrel's message buffers store size_t lengths "
              "(configMESSAGE_BUFFER_LENGTH_TYPE must be size_t)");
#endif

using namespace petrel;
using namespace petrel::freertos;
using kernel::MessageBuffer;
using kernel::StreamBuffer;

namespace {

enum class Want { kAny, kStream, kMessage };

// The live buffer behind `h`, or nullptr after reporting misuse.
StreamBuffer* buffer_of(const char* call, StreamBufferHandle_t h, Want want = Want::kAny) {
  auto* sb = reinterpret_cast<StreamBuffer*>(h);
  if (sb == nullptr) {
    PETREL_FR_MISUSE(call, "NULL buffer handle");
    return nullptr;
  }
  if (!sb->live) {
    PETREL_FR_MISUSE(call, "invalid or deleted buffer");
    return nullptr;
  }
  if (want == Want::kMessage && !sb->message) {
    PETREL_FR_MISUSE(call, "the handle is a stream buffer, not a message buffer");
    return nullptr;
  }
  return sb;
}

MessageBuffer* as_message(StreamBuffer* sb) {
  return reinterpret_cast<MessageBuffer*>(sb);
}

size_t send(const char* call, StreamBufferHandle_t h, const void* data, size_t len,
            TickType_t ticks, Want want) {
  StreamBuffer* sb = buffer_of(call, h, want);
  if (sb == nullptr) return 0;
  if (data == nullptr && len != 0) {
    PETREL_FR_MISUSE(call, "NULL data");
    return 0;
  }
  bool misuse;
  const kernel::Ticks wait = checked_wait(call, ticks, &misuse);
  if (misuse || len == 0) return 0;
  if (sb->message)
    return kernel::message_buffer_send(as_message(sb), data, len, wait).ok() ? len : 0;
  return kernel::stream_buffer_send(sb, data, len, wait).value_or(0);
}

size_t send_from_isr(const char* call, StreamBufferHandle_t h, const void* data, size_t len,
                     BaseType_t* woken, Want want) {
  StreamBuffer* sb = buffer_of(call, h, want);
  if (sb == nullptr) return 0;
  if (data == nullptr && len != 0) {
    PETREL_FR_MISUSE(call, "NULL data");
    return 0;
  }
  if (len == 0) return 0;
  bool w = false;
  size_t n;
  if (sb->message)
    n = kernel::message_buffer_send_from_isr(as_message(sb), data, len, &w).ok() ? len : 0;
  else
    n = kernel::stream_buffer_send_from_isr(sb, data, len, &w).value_or(0);
  set_woken(woken, w);
  return n;
}

size_t receive(const char* call, StreamBufferHandle_t h, void* out, size_t max, TickType_t ticks,
               Want want) {
  StreamBuffer* sb = buffer_of(call, h, want);
  if (sb == nullptr) return 0;
  if (out == nullptr) {
    PETREL_FR_MISUSE(call, "NULL receive buffer");
    return 0;
  }
  bool misuse;
  const kernel::Ticks wait = checked_wait(call, ticks, &misuse);
  if (misuse || max == 0) return 0;
  if (sb->message)
    return kernel::message_buffer_receive(as_message(sb), out, max, wait).value_or(0);
  return kernel::stream_buffer_receive(sb, out, max, wait).value_or(0);
}

size_t receive_from_isr(const char* call, StreamBufferHandle_t h, void* out, size_t max,
                        BaseType_t* woken, Want want) {
  StreamBuffer* sb = buffer_of(call, h, want);
  if (sb == nullptr) return 0;
  if (out == nullptr) {
    PETREL_FR_MISUSE(call, "NULL receive buffer");
    return 0;
  }
  if (max == 0) return 0;
  bool w = false;
  size_t n = sb->message
                 ? kernel::message_buffer_receive_from_isr(as_message(sb), out, max, &w).value_or(0)
                 : kernel::stream_buffer_receive_from_isr(sb, out, max, &w).value_or(0);
  set_woken(woken, w);
  return n;
}

BaseType_t reset(const char* call, StreamBufferHandle_t h, Want want) {
  StreamBuffer* sb = buffer_of(call, h, want);
  if (sb == nullptr) return pdFAIL;
  const Status s =
      sb->message ? kernel::message_buffer_reset(as_message(sb)) : kernel::stream_buffer_reset(sb);
  return s.ok() ? pdPASS : pdFAIL;
}

void destroy(const char* call, StreamBufferHandle_t h, Want want) {
  StreamBuffer* sb = buffer_of(call, h, want);
  if (sb == nullptr) return;
  if (sb->message)
    (void)kernel::message_buffer_delete(as_message(sb));
  else
    (void)kernel::stream_buffer_delete(sb);
}

size_t spaces(const char* call, StreamBufferHandle_t h, Want want) {
  StreamBuffer* sb = buffer_of(call, h, want);
  if (sb == nullptr) return 0;
  return sb->message ? kernel::message_buffer_spaces_available(as_message(sb))
                     : kernel::stream_buffer_spaces_available(sb);
}

BaseType_t is_empty(const char* call, StreamBufferHandle_t h, Want want) {
  StreamBuffer* sb = buffer_of(call, h, want);
  if (sb == nullptr) return pdFALSE;
  const bool e = sb->message ? kernel::message_buffer_is_empty(as_message(sb))
                             : kernel::stream_buffer_is_empty(sb);
  return e ? pdTRUE : pdFALSE;
}

BaseType_t is_full(const char* call, StreamBufferHandle_t h, Want want) {
  StreamBuffer* sb = buffer_of(call, h, want);
  if (sb == nullptr) return pdFALSE;
  const bool f = sb->message ? kernel::message_buffer_is_full(as_message(sb))
                             : kernel::stream_buffer_is_full(sb);
  return f ? pdTRUE : pdFALSE;
}

size_t next_length(const char* call, StreamBufferHandle_t h) {
  StreamBuffer* sb = buffer_of(call, h);
  if (sb == nullptr || !sb->message) return 0;  // a stream buffer has no messages
  return kernel::message_buffer_next_length(as_message(sb));
}

bool creatable(const char* call) {
  if (!kernel::in_isr()) return true;
  PETREL_FR_MISUSE(call, "called from interrupt context");
  return false;
}

}  // namespace

extern "C" {

// ---- stream buffers ----

StreamBufferHandle_t xStreamBufferCreate(size_t size, size_t trigger) {
  static constexpr const char* kCall = "xStreamBufferCreate";
  if (!creatable(kCall)) return nullptr;
  if (size == 0 || trigger > size) {
    PETREL_FR_MISUSE(kCall, size == 0 ? "buffer size 0" : "trigger level above the buffer size");
    return nullptr;
  }
  auto made = kernel::stream_buffer_create(size, trigger);
  if (!made) {
    if (made.error().code == Errc::kNoMemory) malloc_failed();
    return nullptr;
  }
  return reinterpret_cast<StreamBufferHandle_t>(*made);
}

StreamBufferHandle_t xStreamBufferCreateStatic(size_t size, size_t trigger, uint8_t* storage,
                                               StaticStreamBuffer_t* buffer) {
  static constexpr const char* kCall = "xStreamBufferCreateStatic";
  if (buffer == nullptr || storage == nullptr || size == 0 || trigger > size) {
    PETREL_FR_MISUSE(kCall, buffer == nullptr    ? "NULL StaticStreamBuffer_t buffer"
                            : storage == nullptr ? "NULL storage area"
                            : size == 0          ? "buffer size 0"
                                                 : "trigger level above the buffer size");
    return nullptr;
  }
  auto* sb = new (buffer) StreamBuffer();
  auto made = kernel::stream_buffer_init(sb, storage, size, trigger);
  return made ? reinterpret_cast<StreamBufferHandle_t>(*made) : nullptr;
}

void vStreamBufferDelete(StreamBufferHandle_t h) {
  destroy("vStreamBufferDelete", h, Want::kAny);
}

size_t xStreamBufferSend(StreamBufferHandle_t h, const void* data, size_t len, TickType_t ticks) {
  return send("xStreamBufferSend", h, data, len, ticks, Want::kAny);
}
size_t xStreamBufferSendFromISR(StreamBufferHandle_t h, const void* data, size_t len,
                                BaseType_t* woken) {
  return send_from_isr("xStreamBufferSendFromISR", h, data, len, woken, Want::kAny);
}
size_t xStreamBufferReceive(StreamBufferHandle_t h, void* out, size_t max, TickType_t ticks) {
  return receive("xStreamBufferReceive", h, out, max, ticks, Want::kAny);
}
size_t xStreamBufferReceiveFromISR(StreamBufferHandle_t h, void* out, size_t max,
                                   BaseType_t* woken) {
  return receive_from_isr("xStreamBufferReceiveFromISR", h, out, max, woken, Want::kAny);
}

BaseType_t xStreamBufferReset(StreamBufferHandle_t h) {
  return reset("xStreamBufferReset", h, Want::kAny);
}

size_t xStreamBufferBytesAvailable(StreamBufferHandle_t h) {
  StreamBuffer* sb = buffer_of("xStreamBufferBytesAvailable", h);
  return sb != nullptr ? kernel::stream_buffer_bytes_available(sb) : 0;
}
size_t xStreamBufferSpacesAvailable(StreamBufferHandle_t h) {
  return spaces("xStreamBufferSpacesAvailable", h, Want::kAny);
}
BaseType_t xStreamBufferIsEmpty(StreamBufferHandle_t h) {
  return is_empty("xStreamBufferIsEmpty", h, Want::kAny);
}
BaseType_t xStreamBufferIsFull(StreamBufferHandle_t h) {
  return is_full("xStreamBufferIsFull", h, Want::kAny);
}

BaseType_t xStreamBufferSetTriggerLevel(StreamBufferHandle_t h, size_t level) {
  StreamBuffer* sb = buffer_of("xStreamBufferSetTriggerLevel", h);
  if (sb == nullptr) return pdFALSE;
  return kernel::stream_buffer_set_trigger_level(sb, level).ok() ? pdTRUE : pdFALSE;
}

size_t xStreamBufferNextMessageLengthBytes(StreamBufferHandle_t h) {
  return next_length("xStreamBufferNextMessageLengthBytes", h);
}

// ---- message buffers ----

MessageBufferHandle_t xMessageBufferCreate(size_t size) {
  static constexpr const char* kCall = "xMessageBufferCreate";
  if (!creatable(kCall)) return nullptr;
  if (size <= kernel::kMessageHeaderSize) {
    PETREL_FR_MISUSE(kCall, "buffer size not above the message length header (sizeof(size_t))");
    return nullptr;
  }
  auto made = kernel::message_buffer_create(size);
  if (!made) {
    if (made.error().code == Errc::kNoMemory) malloc_failed();
    return nullptr;
  }
  return reinterpret_cast<MessageBufferHandle_t>(&(*made)->stream);
}

MessageBufferHandle_t xMessageBufferCreateStatic(size_t size, uint8_t* storage,
                                                 StaticMessageBuffer_t* buffer) {
  static constexpr const char* kCall = "xMessageBufferCreateStatic";
  if (buffer == nullptr || storage == nullptr || size <= kernel::kMessageHeaderSize) {
    PETREL_FR_MISUSE(kCall, buffer == nullptr    ? "NULL StaticMessageBuffer_t buffer"
                            : storage == nullptr ? "NULL storage area"
                                                 : "buffer size not above the message length "
                                                   "header (sizeof(size_t))");
    return nullptr;
  }
  auto* mb = new (buffer) MessageBuffer();
  auto made = kernel::message_buffer_init(mb, storage, size);
  return made ? reinterpret_cast<MessageBufferHandle_t>(&(*made)->stream) : nullptr;
}

void vMessageBufferDelete(MessageBufferHandle_t h) {
  destroy("vMessageBufferDelete", h, Want::kMessage);
}

size_t xMessageBufferSend(MessageBufferHandle_t h, const void* data, size_t len, TickType_t ticks) {
  return send("xMessageBufferSend", h, data, len, ticks, Want::kMessage);
}
size_t xMessageBufferSendFromISR(MessageBufferHandle_t h, const void* data, size_t len,
                                 BaseType_t* woken) {
  return send_from_isr("xMessageBufferSendFromISR", h, data, len, woken, Want::kMessage);
}
size_t xMessageBufferReceive(MessageBufferHandle_t h, void* out, size_t max, TickType_t ticks) {
  return receive("xMessageBufferReceive", h, out, max, ticks, Want::kMessage);
}
size_t xMessageBufferReceiveFromISR(MessageBufferHandle_t h, void* out, size_t max,
                                    BaseType_t* woken) {
  return receive_from_isr("xMessageBufferReceiveFromISR", h, out, max, woken, Want::kMessage);
}

BaseType_t xMessageBufferReset(MessageBufferHandle_t h) {
  return reset("xMessageBufferReset", h, Want::kMessage);
}
size_t xMessageBufferSpacesAvailable(MessageBufferHandle_t h) {
  return spaces("xMessageBufferSpacesAvailable", h, Want::kMessage);
}
size_t xMessageBufferSpaceAvailable(MessageBufferHandle_t h) {
  return spaces("xMessageBufferSpaceAvailable", h, Want::kMessage);
}
BaseType_t xMessageBufferIsEmpty(MessageBufferHandle_t h) {
  return is_empty("xMessageBufferIsEmpty", h, Want::kMessage);
}
BaseType_t xMessageBufferIsFull(MessageBufferHandle_t h) {
  return is_full("xMessageBufferIsFull", h, Want::kMessage);
}
size_t xMessageBufferNextLengthBytes(MessageBufferHandle_t h) {
  StreamBuffer* sb = buffer_of("xMessageBufferNextLengthBytes", h, Want::kMessage);
  return sb != nullptr ? kernel::message_buffer_next_length(as_message(sb)) : 0;
}

}  // extern "C"
