probe --sysfs tests/out/sysfs/synth100.sysfs -n 09:00
