# dhcpscope: `make demo` then `make test` on a fresh Debian machine.
SWIFT ?= swift
BIN := .build/release/dhcpscope
# Release builds link the Swift runtime and Foundation statically: calls into the runtime
# (retain, release, allocation) are then direct rather than through the PLT, and the program
# starts in about half the time. Static Foundation links libcurl (FlyingFox's networking).
RELEASE := -c release --static-swift-stdlib
APT := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends

PREFIX ?= /usr/local

.PHONY: install demo build test deps test-deps fixtures lab bench fuzz asan clean format lint

# libpcap and zlib headers, and libcurl's for the static Foundation, are all a build needs.
deps:
	@dpkg -s libpcap-dev >/dev/null 2>&1 || { apt-get update -qq && $(APT) libpcap-dev zlib1g-dev; }
	@dpkg -s zlib1g-dev >/dev/null 2>&1 || $(APT) zlib1g-dev
	@dpkg -s libcurl4-openssl-dev >/dev/null 2>&1 || $(APT) libcurl4-openssl-dev || { apt-get update -qq && $(APT) libcurl4-openssl-dev; }

build: deps
	$(SWIFT) build $(RELEASE) --product dhcpscope

demo: build
	$(BIN) analyze Fixtures/two-servers-multi.pcapng

# The binary, its man page (from the command definitions) and bash, zsh and fish completions.
install: build
	install -D -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/dhcpscope
	$(SWIFT) package plugin generate-manual
	install -D -m 644 .build/plugins/GenerateManual/outputs/dhcpscope/dhcpscope.1 $(DESTDIR)$(PREFIX)/share/man/man1/dhcpscope.1
	mkdir -p $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	$(BIN) --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/dhcpscope
	$(BIN) --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_dhcpscope
	$(BIN) --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/dhcpscope.fish

# Tests compare against tshark, load the HTML report in headless Chromium, and run real ISC
# dhcpd/dhcrelay/dhclient, dnsmasq and Kea in network namespaces (skipped with a message when not root).
test-deps: deps
	@missing=""; \
	for p in tshark tcpdump isc-dhcp-server isc-dhcp-relay isc-dhcp-client dnsmasq-base kea-dhcp4-server kea-dhcp6-server iproute2 procps chromium curl prometheus tcpreplay; do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections; \
	  apt-get update -qq && $(APT) $$missing; fi

test: test-deps
	$(SWIFT) build
	$(SWIFT) test

# Regenerate fixtures: crafted ones always; lab ones need root.
fixtures:
	$(SWIFT) build --product dhcpscope-gen
	.build/debug/dhcpscope-gen fixtures Fixtures/crafted
	gzip -9 -c Fixtures/single-any.pcap > Fixtures/crafted/single-any.pcap.gz
	Fixtures/lab/make-fixtures.sh
	Fixtures/lab/make-fixtures6.sh

bench: deps
	scripts/bench.sh

# libFuzzer on the dissector, seeded with every frame of the fixtures. FUZZ_SECONDS=600 by default.
FUZZ_SECONDS ?= 600
fuzz: deps
	$(SWIFT) build --product dhcpscope-gen
	mkdir -p .build-fuzz/crashes
	swiftc -sanitize=fuzzer,address -parse-as-library -O Sources/Dissect/*.swift Fuzz/FuzzDissect.swift -o .build-fuzz/fuzz-dissect
	.build/debug/dhcpscope-gen seeds -o .build-fuzz/corpus $$(find Fixtures -name '*.pcap' -o -name '*.pcapng')
	cd .build-fuzz && ./fuzz-dissect -max_total_time=$(FUZZ_SECONDS) -max_len=2048 -artifact_prefix=crashes/ -print_final_stats=1 corpus
	$(SWIFT) build --scratch-path .build-fuzz -c release -Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address \
	  -Xswiftc -parse-as-library -Xswiftc -use-ld=lld --product fuzz-file
	mkdir -p .build-fuzz/file-corpus .build-fuzz/file-crashes
	cp $$(find Fixtures -name '*.pcap' -o -name '*.pcapng' -o -name '*.pcap.gz') .build-fuzz/file-corpus/
	cd .build-fuzz && ./release/fuzz-file -max_total_time=$(FUZZ_SECONDS) -max_len=16384 -artifact_prefix=file-crashes/ -print_final_stats=1 file-corpus

# The whole test suite under the address sanitizer. Leak checking is off: LeakSanitizer
# reports small allocations that XCTest and Foundation's Process keep until exit.
# exitcode=86: a sanitizer report in the dhcpscope binary the end-to-end tests run fails them
# (its default, 1, is an expected exit code for damaged input).
asan: test-deps
	$(SWIFT) build --scratch-path .build-asan --build-tests --sanitize=address
	ASAN_OPTIONS=detect_leaks=0:exitcode=86 $(SWIFT) test --scratch-path .build-asan --sanitize=address --skip-build

clean:
	rm -rf .build

# swift format, configured in .swift-format.
format:
	$(SWIFT) format --in-place -r Sources Tests Fuzz Package.swift
lint:
	$(SWIFT) format lint --strict -r Sources Tests Fuzz Package.swift
