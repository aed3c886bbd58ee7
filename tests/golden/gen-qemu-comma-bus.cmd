gen-qemu-args -F examples/gpu-workstation.lspci --qemu-version 7.2 --bus 'odd,bus name' 04:00.0
