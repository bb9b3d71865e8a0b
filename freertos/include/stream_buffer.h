/* stream_buffer.h: Petrel's FreeRTOS-compatible stream buffer API (written
 * from FreeRTOS's documented interface). Include FreeRTOS.h first.
 *
 * A StreamBufferHandle_t is a Petrel stream buffer
 * (petrel/kernel/stream_buffer.h); a MessageBufferHandle_t (message_buffer.h)
 * is the same handle type for a framed buffer, so the stream calls also take
 * message buffers, as in FreeRTOS. One writer and one reader at a time.
 * Every byte of the buffer is usable: a static buffer's storage area needs
 * xBufferSizeBytes bytes (FreeRTOS's documented xBufferSizeBytes + 1 is
 * fine too). */
#ifndef PETREL_FREERTOS_STREAM_BUFFER_H
#define PETREL_FREERTOS_STREAM_BUFFER_H

#ifndef PETREL_FREERTOS_H
#error "include FreeRTOS.h before stream_buffer.h"
#endif

#ifdef __cplusplus
extern "C" {
#endif

struct StreamBufferDef_t; /* never defined: a Petrel stream buffer */
typedef struct StreamBufferDef_t* StreamBufferHandle_t;

StreamBufferHandle_t xStreamBufferCreate(size_t xBufferSizeBytes, size_t xTriggerLevelBytes);
StreamBufferHandle_t xStreamBufferCreateStatic(size_t xBufferSizeBytes, size_t xTriggerLevelBytes,
                                               uint8_t* pucStreamBufferStorageArea,
                                               StaticStreamBuffer_t* pxStaticStreamBuffer);
void vStreamBufferDelete(StreamBufferHandle_t xStreamBuffer);

size_t xStreamBufferSend(StreamBufferHandle_t xStreamBuffer, const void* pvTxData,
                         size_t xDataLengthBytes, TickType_t xTicksToWait);
size_t xStreamBufferSendFromISR(StreamBufferHandle_t xStreamBuffer, const void* pvTxData,
                                size_t xDataLengthBytes, BaseType_t* pxHigherPriorityTaskWoken);
size_t xStreamBufferReceive(StreamBufferHandle_t xStreamBuffer, void* pvRxData,
                            size_t xBufferLengthBytes, TickType_t xTicksToWait);
size_t xStreamBufferReceiveFromISR(StreamBufferHandle_t xStreamBuffer, void* pvRxData,
                                   size_t xBufferLengthBytes,
                                   BaseType_t* pxHigherPriorityTaskWoken);

BaseType_t xStreamBufferReset(StreamBufferHandle_t xStreamBuffer);
size_t xStreamBufferBytesAvailable(StreamBufferHandle_t xStreamBuffer);
size_t xStreamBufferSpacesAvailable(StreamBufferHandle_t xStreamBuffer);
BaseType_t xStreamBufferIsEmpty(StreamBufferHandle_t xStreamBuffer);
BaseType_t xStreamBufferIsFull(StreamBufferHandle_t xStreamBuffer);
BaseType_t xStreamBufferSetTriggerLevel(StreamBufferHandle_t xStreamBuffer, size_t xTriggerLevel);
/* For a message buffer: the length of the next message (0 if none). */
size_t xStreamBufferNextMessageLengthBytes(StreamBufferHandle_t xStreamBuffer);

#ifdef __cplusplus
}
#endif

#endif /* PETREL_FREERTOS_STREAM_BUFFER_H */
