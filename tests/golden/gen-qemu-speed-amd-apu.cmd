gen-qemu-args -F tests/data/speed-amd-apu.lspci --qemu-version 7.2 04:00
