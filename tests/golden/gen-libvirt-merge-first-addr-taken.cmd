gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --first-addr 0x05 --domain tests/libvirt/domains/q35-rootports-defined.xml 04:00.0
