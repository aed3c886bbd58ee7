gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 10.0 --policy max 07:00.0
