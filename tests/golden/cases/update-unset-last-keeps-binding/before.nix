{ common, ... }:
{
  users.users.bob = common // {
    uid = 2;
  };
  users.users.eve = {
    uid = 3;
  } // common;
}
