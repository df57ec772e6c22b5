#ifndef DHCPSCOPE_GZIP_FILE_H
#define DHCPSCOPE_GZIP_FILE_H
#include <stdio.h>

/// Opens a gzip'd file as a read-only FILE* that yields the decompressed bytes, so libpcap
/// (which reads any FILE*, but not gzip) can read gzip'd captures. NULL on failure.
FILE *dhcpscope_gz_fopen(const char *path);

#endif
