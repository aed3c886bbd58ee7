gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 10.0 --kernel-version 6.8 03:00.0 05:00.0 -o json
