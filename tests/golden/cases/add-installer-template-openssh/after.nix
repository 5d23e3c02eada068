{ config, pkgs, ... }:

{
  # The graphical session.
  services.xserver.enable = true;

  # Printing through CUPS.
  services.printing.enable = true;

  # Sound with PipeWire.
  services.pipewire = {
    enable = true;
    pulse.enable = true;
    # Uncomment for JACK clients:
    #jack.enable = true;
  };

  services.openssh.enable = true;

  # The OpenSSH daemon.
  # services.openssh.enable = true;

  system.stateVersion = "24.05"; # Did you read the comment?

}
