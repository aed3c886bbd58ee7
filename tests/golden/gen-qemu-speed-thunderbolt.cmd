gen-qemu-args -F tests/data/speed-thunderbolt.lspci --qemu-version 7.2 08:00
