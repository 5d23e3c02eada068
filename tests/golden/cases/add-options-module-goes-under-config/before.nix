{ config, lib, ... }:
{
  options.my.greeting = lib.mkOption {
    type = lib.types.str;
    default = "hello";
  };

  config = {
    environment.etc."greeting".text = config.my.greeting;
    my.greeting = "olá";
  };
}
