gen-qemu-args -F tests/data/bad/x-only-64-bytes.lspci --qemu-version 7.2 01:00.0
