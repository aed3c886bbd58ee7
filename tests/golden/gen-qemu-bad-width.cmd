gen-qemu-args -F examples/gpu-workstation.lspci --width 3 05:00.0
