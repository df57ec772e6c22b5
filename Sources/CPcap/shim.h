#ifndef DHCPSCOPE_CPCAP_SHIM_H
#define DHCPSCOPE_CPCAP_SHIM_H
#include <pcap/pcap.h>
#endif
