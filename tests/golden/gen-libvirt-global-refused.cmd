gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --libvirt-version 8.0 03:00 04:00.0
