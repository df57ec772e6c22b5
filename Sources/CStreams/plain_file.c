#include "streams.h"
#include <stdio_ext.h>

FILE *dhcpscope_fopen_unlocked(const char *path, char *buffer, size_t size) {
  FILE *stream = fopen(path, "rb");
  if (stream == NULL) return NULL;
  setvbuf(stream, buffer, _IOFBF, size);
  __fsetlocking(stream, FSETLOCKING_BYCALLER);
  return stream;
}
