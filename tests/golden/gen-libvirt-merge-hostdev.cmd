gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --domain tests/libvirt/domains/q35-hostdev-defined.xml 07:00
