/* message_buffer.h: Petrel's FreeRTOS-compatible message buffer API (written
 * from FreeRTOS's documented interface). Include FreeRTOS.h first.
 *
 * A message buffer is a stream buffer whose sends and receives are whole
 * messages; each stored message takes its length plus sizeof(size_t) bytes
 * (configMESSAGE_BUFFER_LENGTH_TYPE is size_t). */
#ifndef PETREL_FREERTOS_MESSAGE_BUFFER_H
#define PETREL_FREERTOS_MESSAGE_BUFFER_H

#include "stream_buffer.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef StreamBufferHandle_t MessageBufferHandle_t;

MessageBufferHandle_t xMessageBufferCreate(size_t xBufferSizeBytes);
MessageBufferHandle_t xMessageBufferCreateStatic(size_t xBufferSizeBytes,
                                                 uint8_t* pucMessageBufferStorageArea,
                                                 StaticMessageBuffer_t* pxStaticMessageBuffer);
void vMessageBufferDelete(MessageBufferHandle_t xMessageBuffer);

size_t xMessageBufferSend(MessageBufferHandle_t xMessageBuffer, const void* pvTxData,
                          size_t xDataLengthBytes, TickType_t xTicksToWait);
size_t xMessageBufferSendFromISR(MessageBufferHandle_t xMessageBuffer, const void* pvTxData,
                                 size_t xDataLengthBytes, BaseType_t* pxHigherPriorityTaskWoken);
size_t xMessageBufferReceive(MessageBufferHandle_t xMessageBuffer, void* pvRxData,
                             size_t xBufferLengthBytes, TickType_t xTicksToWait);
size_t xMessageBufferReceiveFromISR(MessageBufferHandle_t xMessageBuffer, void* pvRxData,
                                    size_t xBufferLengthBytes,
                                    BaseType_t* pxHigherPriorityTaskWoken);

BaseType_t xMessageBufferReset(MessageBufferHandle_t xMessageBuffer);
size_t xMessageBufferSpacesAvailable(MessageBufferHandle_t xMessageBuffer);
size_t xMessageBufferSpaceAvailable(MessageBufferHandle_t xMessageBuffer);
BaseType_t xMessageBufferIsEmpty(MessageBufferHandle_t xMessageBuffer);
BaseType_t xMessageBufferIsFull(MessageBufferHandle_t xMessageBuffer);
size_t xMessageBufferNextLengthBytes(MessageBufferHandle_t xMessageBuffer);

#ifdef __cplusplus
}
#endif

#endif /* PETREL_FREERTOS_MESSAGE_BUFFER_H */
