build/src/core/sim.o: src/core/sim.c src/core/core_int.h src/core/core.h \
 src/core/program.h src/core/exc.h src/core/stage.h src/core/mem.h
src/core/core_int.h:
src/core/core.h:
src/core/program.h:
src/core/exc.h:
src/core/stage.h:
src/core/mem.h:
