/// How an option's value is laid out on the wire.
enum OptionFormat {
  case address, addresses, addressPairs, uint8, uint16, uint32, int32, uint16List, text, flag
  case empty, bytes, messageType, parameterList, overload, clientIdentifier, clientFQDN
  case relayAgentInformation, vendorSpecific, userClass, classlessRoutes, domainList, sipServers
  case vendorClass, vendorSpecificEnterprise, clientArchitecture, clientNDI, uuid, authentication
  case statusCode, slpAgent, slpScope, netbiosNodeType, forcerenewNonce, dhcpState, geoConf
}

/// Names and formats of DHCP options: RFC 2132 and the later RFCs in common use, with the
/// names Wireshark prints where there is one.
enum OptionCatalog {
  static func entry(_ code: UInt8) -> (name: String, format: OptionFormat) {
    byCode[Int(code)]
  }

  /// `table` as an array indexed by code, so a lookup per option is an index, not a hash.
  static let byCode: [(name: String, format: OptionFormat)] = (0...255).map { table[$0] ?? ("Unknown", .bytes) }
  /// The formats alone: looking one up touches no string.
  static let formats: [OptionFormat] = byCode.map(\.format)

  static let table: [Int: (String, OptionFormat)] = [
    0: ("Padding", .empty),
    1: ("Subnet Mask", .address),
    2: ("Time Offset", .int32),
    3: ("Router", .addresses),
    4: ("Time Server", .addresses),
    5: ("Name Server", .addresses),
    6: ("Domain Name Server", .addresses),
    7: ("Log Server", .addresses),
    8: ("Quotes Server", .addresses),
    9: ("LPR Server", .addresses),
    10: ("Impress Server", .addresses),
    11: ("Resource Location Server", .addresses),
    12: ("Host Name", .text),
    13: ("Boot File Size", .uint16),
    14: ("Merit Dump File", .text),
    15: ("Domain Name", .text),
    16: ("Swap Server", .address),
    17: ("Root Path", .text),
    18: ("Extensions Path", .text),
    19: ("IP Forwarding", .flag),
    20: ("Non-Local Source Routing", .flag),
    21: ("Policy Filter", .addressPairs),
    22: ("Maximum Datagram Reassembly Size", .uint16),
    23: ("Default IP Time-to-Live", .uint8),
    24: ("Path MTU Aging Timeout", .uint32),
    25: ("Path MTU Plateau Table", .uint16List),
    26: ("Interface MTU", .uint16),
    27: ("All Subnets are Local", .flag),
    28: ("Broadcast Address", .address),
    29: ("Perform Mask Discovery", .flag),
    30: ("Mask Supplier", .flag),
    31: ("Perform Router Discover", .flag),
    32: ("Router Solicitation Address", .address),
    33: ("Static Route", .addressPairs),
    34: ("Trailer Encapsulation", .flag),
    35: ("ARP Cache Timeout", .uint32),
    36: ("Ethernet Encapsulation", .flag),
    37: ("TCP Default TTL", .uint8),
    38: ("TCP Keepalive Interval", .uint32),
    39: ("TCP Keepalive Garbage", .flag),
    40: ("Network Information Service Domain", .text),
    41: ("Network Information Service Servers", .addresses),
    42: ("Network Time Protocol Servers", .addresses),
    43: ("Vendor-Specific Information", .vendorSpecific),
    44: ("NetBIOS over TCP/IP Name Server", .addresses),
    45: ("NetBIOS over TCP/IP Datagram Distribution Name Server", .addresses),
    46: ("NetBIOS over TCP/IP Node Type", .netbiosNodeType),
    47: ("NetBIOS over TCP/IP Scope", .text),
    48: ("X Window System Font Server", .addresses),
    49: ("X Window System Display Manager", .addresses),
    50: ("Requested IP Address", .address),
    51: ("IP Address Lease Time", .uint32),
    52: ("Option Overload", .overload),
    53: ("DHCP Message Type", .messageType),
    54: ("DHCP Server Identifier", .address),
    55: ("Parameter Request List", .parameterList),
    56: ("Message", .text),
    57: ("Maximum DHCP Message Size", .uint16),
    58: ("Renewal Time Value", .uint32),
    59: ("Rebinding Time Value", .uint32),
    60: ("Vendor class identifier", .text),
    61: ("Client identifier", .clientIdentifier),
    62: ("Novell/Netware IP domain", .text),
    63: ("Novell Options", .bytes),
    64: ("Network Information Service+ Domain", .text),
    65: ("Network Information Service+ Servers", .addresses),
    66: ("TFTP Server Name", .text),
    67: ("Bootfile name", .text),
    68: ("Mobile IP Home Agent", .addresses),
    69: ("SMTP Server", .addresses),
    70: ("POP3 Server", .addresses),
    71: ("NNTP Server", .addresses),
    72: ("Default WWW Server", .addresses),
    73: ("Default Finger Server", .addresses),
    74: ("Default IRC Server", .addresses),
    75: ("StreetTalk Server", .addresses),
    76: ("StreetTalk Directory Assistance Server", .addresses),
    77: ("User Class Information", .userClass),
    78: ("Directory Agent Information", .slpAgent),
    79: ("Service Location Agent Scope", .slpScope),
    80: ("Rapid commit", .empty),
    81: ("Client Fully Qualified Domain Name", .clientFQDN),
    82: ("Relay Agent Information", .relayAgentInformation),
    83: ("iSNS", .bytes),
    85: ("Novell Directory Services Servers", .addresses),
    86: ("Novell Directory Services Tree Name", .text),
    87: ("Novell Directory Services Context", .text),
    88: ("BCMCS Controller Domain Name", .domainList),
    89: ("BCMCS Controller IPv4 address", .addresses),
    90: ("Authentication", .authentication),
    91: ("Client last transaction time", .uint32),
    92: ("Associated IP", .addresses),
    93: ("Client System Architecture", .clientArchitecture),
    94: ("Client Network Device Interface", .clientNDI),
    95: ("Lightweight Directory Access Protocol", .text),
    97: ("UUID/GUID-based Client Identifier", .uuid),
    98: ("Open Group's User Authentication", .text),
    99: ("Civic Addresses Configuration", .bytes),
    100: ("PCode", .text),
    101: ("TCode", .text),
    108: ("IPv6-Only Preferred", .uint32),
    112: ("NetInfo Parent Server Address", .addresses),
    113: ("NetInfo Parent Server Tag", .text),
    114: ("DHCP Captive-Portal", .text),
    116: ("DHCP Auto-Configuration", .uint8),
    117: ("Name Service Search", .uint16List),
    118: ("Subnet Selection Option", .address),
    119: ("Domain Search", .domainList),
    120: ("SIP Servers", .sipServers),
    121: ("Classless Static Route", .classlessRoutes),
    122: ("CableLabs Client Configuration", .bytes),
    123: ("Coordinate-based Location Configuration", .geoConf),
    124: ("V-I Vendor Class", .vendorClass),
    125: ("V-I Vendor-specific Information", .vendorSpecificEnterprise),
    128: ("TFTP Server IP Address", .addresses),
    129: ("Call Server IP Address", .addresses),
    136: ("PANA Authentication Agent", .addresses),
    137: ("LoST Server Domain Name", .domainList),
    138: ("CAPWAP Access Controllers", .addresses),
    139: ("IPv4 Address MoS", .bytes),
    140: ("IPv4 FQDN MoS", .bytes),
    141: ("SIP UA Configuration Domains", .domainList),
    142: ("IPv4 Address ANDSF", .addresses),
    144: ("Geospatial Location", .bytes),
    145: ("Forcerenew Nonce Capable", .forcerenewNonce),
    146: ("RDNSS Selection", .bytes),
    150: ("TFTP Server Address", .addresses),
    151: ("Status Code", .statusCode),
    152: ("Base Time", .uint32),
    153: ("Start Time of State", .uint32),
    154: ("Query Start Time", .uint32),
    155: ("Query End Time", .uint32),
    156: ("DHCP State", .dhcpState),
    157: ("Data Source", .uint8),
    158: ("PCP Server", .bytes),
    159: ("Port Parameters", .bytes),
    161: ("Manufacturer Usage Description", .text),
    175: ("Etherboot", .bytes),
    208: ("PXELINUX Magic", .bytes),
    209: ("Configuration File", .text),
    210: ("Path Prefix", .text),
    211: ("Reboot Time", .uint32),
    212: ("6RD", .bytes),
    213: ("Access Network Domain Name", .domainList),
    220: ("Subnet Allocation", .bytes),
    221: ("Virtual Subnet Selection", .bytes),
    249: ("Private/Classless Static Route (Microsoft)", .classlessRoutes),
    252: ("Private/Proxy autodiscovery", .text),
    255: ("End", .empty),
  ]

  /// The sub-option tables as arrays indexed by code.
  static let relayAgentByCode = (0...255).map { relayAgentSuboptions[$0] }
  static let pxeByCode = (0...255).map { pxeSuboptions[$0] }

  /// RFC 3046 and later sub-options of option 82.
  static let relayAgentSuboptions: [Int: (String, OptionFormat)] = [
    1: ("Agent Circuit ID", .bytes),
    2: ("Agent Remote ID", .bytes),
    4: ("DOCSIS Device Class", .uint32),
    5: ("Link Selection", .address),
    6: ("Subscriber ID", .text),
    7: ("RADIUS Attributes", .bytes),
    8: ("Authentication", .bytes),
    9: ("Vendor-Specific Information", .bytes),
    10: ("Relay Agent Flags", .uint8),
    11: ("Server Identifier Override", .address),
    12: ("Relay Agent Identifier", .bytes),
    151: ("Virtual Subnet Selection", .bytes),
    152: ("Virtual Subnet Selection Control", .empty),
  ]

  /// PXE sub-options of option 43 (PXE specification 2.1).
  static let pxeSuboptions: [Int: (String, OptionFormat)] = [
    1: ("PXE mtftp IP", .address),
    2: ("PXE mtftp client port", .uint16),
    3: ("PXE mtftp server port", .uint16),
    4: ("PXE mtftp timeout", .uint8),
    5: ("PXE mtftp delay", .uint8),
    6: ("PXE discovery control", .uint8),
    7: ("PXE multicast address", .address),
    8: ("PXE boot servers", .bytes),
    9: ("PXE boot menu", .bytes),
    10: ("PXE menu prompt", .bytes),
    11: ("PXE multicast address allocation", .bytes),
    12: ("PXE credential types", .bytes),
    71: ("PXE boot item", .bytes),
    179: ("PXE LCM Server", .text),
  ]

  static let clientArchitectures: [Int: String] = [
    0: "IA x86 PC", 1: "NEC/PC98", 2: "EFI Itanium", 3: "DEC Alpha", 4: "Arc x86",
    5: "Intel Lean Client", 6: "EFI IA32", 7: "EFI BC", 8: "EFI Xscale", 9: "EFI x86-64",
    10: "ARM 32-bit UEFI", 11: "ARM 64-bit UEFI", 15: "x86 UEFI HTTP", 16: "x64 UEFI HTTP",
    19: "ARM 32-bit UEFI HTTP", 20: "ARM 64-bit UEFI HTTP",
  ]

  static let statusCodes: [Int: String] = [
    0: "Success", 1: "UnspecFail", 2: "QueryTerminated", 3: "MalformedQuery", 4: "NotAllowed",
    5: "DataMissing", 6: "ConnectionActive", 7: "CatchUpComplete", 8: "TLSConnectionRefused",
  ]

  static let dhcpStates: [Int: String] = [
    1: "AVAILABLE", 2: "ACTIVE", 3: "EXPIRED", 4: "RELEASED", 5: "ABANDONED", 6: "RESET",
    7: "REMOTE", 8: "TRANSITIONING",
  ]
}

/// The name of a DHCP option code.
public func dhcpOptionName(_ code: UInt8) -> String { OptionCatalog.entry(code).name }
