gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version seven 05:00.0
