gen-libvirt-xml -F examples/gpu-workstation.lspci --qemu-version 7.2 --split-functions --domain tests/libvirt/domains/q35-rootports-defined.xml 03:00 04:00.0
