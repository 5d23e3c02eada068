{ pkgs, ... }:
{
  environment.variables = with pkgs; {
    # the browser
    BROWSER = "${firefox}/bin/firefox";
  };
}
