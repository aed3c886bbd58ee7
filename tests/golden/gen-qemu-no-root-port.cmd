gen-qemu-args -F tests/data/no-root-port.lspci --qemu-version 8.1 01:00
