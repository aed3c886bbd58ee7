gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --policy max 07:00.0
