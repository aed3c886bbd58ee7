gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --first-index 40 --first-chassis 60 --first-addr 4 04:00.0 06:00.0
