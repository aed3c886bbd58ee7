gen-libvirt-xml --dump - --qemu-version 7.2 --domain - 04:00.0 < examples/gpu-workstation.lspci
