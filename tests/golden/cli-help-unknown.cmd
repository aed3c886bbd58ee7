help nope
