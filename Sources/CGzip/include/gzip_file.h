#ifndef DHCPSCOPE_GZIP_FILE_H
#define DHCPSCOPE_GZIP_FILE_H
#include <stdio.h>

/// Opens a gzip'd file as a read-only FILE* that yields the decompressed bytes, so libpcap
/// (which reads any FILE*, but not gzip) can read gzip'd captures. NULL on failure.
FILE *dhcpscope_gz_fopen(const char *path);

/// Reads descriptor `fd` (standard input) as a FILE*: gzip'd or not, zlib passes plain bytes
/// through. The first four (decompressed) bytes are read into `magic` (`*got` of them) and put
/// back, so the caller can tell the format from a stream it cannot rewind. NULL on failure.
FILE *dhcpscope_gz_fdopen_peeking(int fd, unsigned char magic[4], int *got);

#endif
