# The bare-metal image's toolchain: clang for x86-64 with no operating
# system, lld with the image's own linker script (framework/platform/
# baremetal/linker.ld). Nothing of the host (headers, libraries) is used.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER clang-14)
set(CMAKE_ASM_COMPILER clang-14)
set(CMAKE_C_COMPILER_TARGET x86_64-unknown-none-elf)
set(CMAKE_ASM_COMPILER_TARGET x86_64-unknown-none-elf)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
# Link with lld itself: clang's driver for a target without an OS hands
# the link to the host's gcc.
find_program(DUET_LLD NAMES ld.lld-14 ld.lld REQUIRED)
set(CMAKE_C_LINK_EXECUTABLE "${DUET_LLD} <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
