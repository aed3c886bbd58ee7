gen-qemu-args -F tests/data/no-root-port.lspci --qemu-version 8.1 -o json 01:00.0
