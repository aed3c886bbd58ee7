gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --first-addr 0x0c.0 --first-chassis 010 04:00.0
