gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --domain tests/libvirt/domains/q35-default.xml 03:00 05:00.0
