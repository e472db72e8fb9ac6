#include "app/cli.h"

int main(int argc, char** argv) {
  return strata::run_cli(argc, argv);
}
