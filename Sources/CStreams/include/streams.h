#ifndef DHCPSCOPE_STREAMS_H
#define DHCPSCOPE_STREAMS_H
#include <stddef.h>
#include <stdio.h>

/// The FILE* streams libpcap reads captures from (it reads any FILE*).

/// Opens `path` for reading through `buffer` (`size` bytes, which must outlive the stream),
/// with stdio's locking off: one thread reads a capture, and glibc otherwise takes a lock for
/// each of libpcap's two reads per packet. NULL on failure, with errno set.
FILE *dhcpscope_fopen_unlocked(const char *path, char *buffer, size_t size);

/// Opens a gzip'd file as a read-only FILE* that yields the decompressed bytes, so libpcap
/// (which reads any FILE*, but not gzip) can read gzip'd captures. NULL on failure.
FILE *dhcpscope_gz_fopen(const char *path);

/// Reads descriptor `fd` (standard input) as a FILE*: gzip'd or not, zlib passes plain bytes
/// through. The first four (decompressed) bytes are read into `magic` (`*got` of them) and put
/// back, so the caller can tell the format from a stream it cannot rewind. NULL on failure.
FILE *dhcpscope_gz_fdopen_peeking(int fd, unsigned char magic[4], int *got);

#endif
