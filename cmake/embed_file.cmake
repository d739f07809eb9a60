# Turns a binary file into a C++ byte array: cmake -DINPUT=f -DOUTPUT=f.inc -DNAME=sym -P embed_file.cmake
# (used to embed the device runtime's bitcode in nk).
file(READ ${INPUT} hex HEX)
string(LENGTH "${hex}" hex_length)
math(EXPR size "${hex_length} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT} by cmake/embed_file.cmake.\nalignas(8) static const unsigned char ${NAME}[${size}] = {\n${bytes}\n};\n")
