gen-qemu-args -F examples/gpu-workstation.lspci --speed 2.5 05:00.0
