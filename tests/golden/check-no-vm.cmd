check -F examples/gpu-workstation.lspci --qemu-version 10.0
