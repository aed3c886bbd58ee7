gen-qemu-args -F examples/gpu-workstation.lspci --width zz:00=4 05:00.0
