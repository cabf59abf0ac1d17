#ifndef CMYSQL_SHIM_H
#define CMYSQL_SHIM_H
// MariaDB Connector/C (Debian's mysqlclient.pc points at libmariadb).
#include <mysql.h>
#endif
