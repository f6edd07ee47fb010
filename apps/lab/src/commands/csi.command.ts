import { type Command, Option } from 'commander';
import { commandGroup, outputOption, parseInteger } from '../cli/options.js';

/** Options of `kemu csi serve`. */
export interface CsiServeOptions {
  endpoint?: string;
  nodeid?: string;
  stateDir: string;
  store: string;
  lab: string;
  driverName: string;
  maxVolumesPerNode: number;
  capacity?: string;
  controller: boolean;
}

/** Options of `kemu csi volumes`. */
export interface CsiVolumesOptions {
  stateDir?: string;
  store?: string;
  lab: string;
  driverName: string;
  output: string;
}

const storeOption = () =>
  new Option('--store <url>', 'share the driver state through a store: memory (default) or redis://host:port');
const labOption = () => new Option('--lab <name>', 'lab name inside the store').default('default');
const driverOption = () => new Option('--driver-name <name>', 'CSI plugin name').default('csi.kemu.dev');

/** `kemu csi serve` and `kemu csi volumes`. */
export function defineCsiCommands(program: Command): void {
  const csi = commandGroup(program, 'csi', 'the CSI driver: serve it on a unix socket, list its volumes');
  csi
    .command('serve')
    .description('run the kemu CSI driver (Identity, Controller, Node) on a unix socket until SIGINT/SIGTERM')
    .option('--endpoint <unix:///path.sock>', 'CSI endpoint (default: $CSI_ENDPOINT)')
    .option('--nodeid <id>', 'this node id (without it the Node service is disabled: controller-only)')
    .option('--state-dir <dir>', 'where volumes live as directories', 'kemu-csi-data')
    .addOption(storeOption().default('memory'))
    .addOption(labOption())
    .addOption(driverOption())
    .option('--max-volumes-per-node <n>', 'attach limit of this node (0: none)', parseInteger('--max-volumes-per-node', 0), 0)
    .option('--capacity <quantity>', 'capacity to provision from, e.g. 100Gi (default 1Ti)')
    .option('--no-controller', 'do not serve the Controller service (node plugin only)')
    .action(async (options: CsiServeOptions) => {
      const { runCsiServe } = await import('./csi.action.js');
      await runCsiServe(options);
    });
  csi
    .command('volumes')
    .description('list the driver volumes with where they are attached, staged and published')
    .option('--state-dir <dir>', "read a driver's state dir (what kemu csi serve without --store keeps)")
    .addOption(storeOption())
    .addOption(labOption())
    .addOption(driverOption())
    .addOption(outputOption())
    .action(async (options: CsiVolumesOptions) => {
      const { runCsiVolumes } = await import('./csi.action.js');
      await runCsiVolumes(options);
    });
}
