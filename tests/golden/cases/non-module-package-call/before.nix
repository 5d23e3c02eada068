{ lib, buildPythonPackage, fetchPypi }:
buildPythonPackage rec {
  pname = "example";
  version = "1.0";
  doCheck = false;
}
