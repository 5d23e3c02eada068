{ common, ... }:
{
  users.users.bob = common // {
  };
  users.users.eve = {
  } // common;
}
