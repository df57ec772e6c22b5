#define _GNU_SOURCE
#include "streams.h"
#include <unistd.h>
#include <zlib.h>

static ssize_t gz_read(void *cookie, char *buf, size_t size) {
  int n = gzread((gzFile)cookie, buf, (unsigned)(size > 0x40000000 ? 0x40000000 : size));
  return n < 0 ? -1 : n;
}

static int gz_close(void *cookie) { return gzclose((gzFile)cookie) == Z_OK ? 0 : -1; }

FILE *dhcpscope_gz_fopen(const char *path) {
  gzFile gz = gzopen(path, "rb");
  if (!gz) return NULL;
  gzbuffer(gz, 1 << 17);
  cookie_io_functions_t io = {gz_read, NULL, NULL, gz_close};
  FILE *f = fopencookie(gz, "r", io);
  if (!f) gzclose(gz);
  return f;
}

FILE *dhcpscope_gz_fdopen_peeking(int fd, unsigned char magic[4], int *got) {
  *got = 0;
  int copy = dup(fd);
  if (copy < 0) return NULL;
  gzFile gz = gzdopen(copy, "rb");
  if (!gz) {
    close(copy);
    return NULL;
  }
  gzbuffer(gz, 1 << 17);
  int n = gzread(gz, magic, 4);
  if (n < 0) n = 0;
  *got = n;
  // Put the bytes back, last first, so the reader sees the stream whole.
  for (int i = n - 1; i >= 0; i--) {
    if (gzungetc(magic[i], gz) < 0) {
      gzclose(gz);
      return NULL;
    }
  }
  cookie_io_functions_t io = {gz_read, NULL, NULL, gz_close};
  FILE *f = fopencookie(gz, "r", io);
  if (!f) gzclose(gz);
  return f;
}
