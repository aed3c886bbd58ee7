gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --libvirt-version 8.0 --speed 16 --width 8 03:00 05:00.0
