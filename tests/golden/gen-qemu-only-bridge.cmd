gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 00:01.1
