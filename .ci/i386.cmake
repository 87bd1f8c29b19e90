# A 32-bit x86 build on a 64-bit Debian (multiarch): the host's gcc or clang
# with -m32, the :i386 libraries and their pkg-config files.
#   dpkg --add-architecture i386 && apt-get update
#   apt-get install gcc-multilib g++-multilib libnetfilter-queue-dev:i386 \
#     libmnl-dev:i386 libnfnetlink-dev:i386 libcap-ng-dev:i386
#   cmake -S . -B build-i386 -DCMAKE_TOOLCHAIN_FILE=.ci/i386.cmake
# The binaries run here as they are (the kernel's IA-32 emulation), so
# ctest runs the unit tests as usual. The C compiler is whatever
# CMAKE_C_COMPILER or CC says: the nested fuzzer build passes clang.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR i686)
set(CMAKE_C_FLAGS_INIT -m32)
set(CMAKE_CXX_FLAGS_INIT -m32)
set(CMAKE_EXE_LINKER_FLAGS_INIT -m32)
set(CMAKE_SHARED_LINKER_FLAGS_INIT -m32)
set(CMAKE_LIBRARY_ARCHITECTURE i386-linux-gnu)
set(CMAKE_CROSSCOMPILING_EMULATOR "")
# pkg-config finds the :i386 .pc files only
set(PKG_CONFIG_EXECUTABLE i686-linux-gnu-pkg-config CACHE FILEPATH "pkg-config for i386")
