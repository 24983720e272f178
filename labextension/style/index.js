import '@xyflow/react/dist/style.css';
// nbdime's diff view (the History panel's comparison)
import 'nbdime/lib/styles/variables.css';
import 'nbdime/lib/styles/common.css';
import 'nbdime/lib/styles/diff.css';
import './index.css';
