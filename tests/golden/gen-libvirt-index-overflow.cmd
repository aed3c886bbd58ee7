gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --first-index 254 --all
